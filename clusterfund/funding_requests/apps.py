from django.apps import AppConfig


class FundingRequestsConfig(AppConfig):
    name = "clusterfund.funding_requests"
    label = "funding_requests"
    verbose_name = "Funding requests"
