from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "clusterfund.delivery"
    label = "delivery"
    verbose_name = "Delivery and impact reviews"
