from django.urls import path

from clusterfund.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("account", views.account, name="account"),
    path("account/api-tokens/new", views.create_api_token, name="api-token-new"),
    path("account/api-tokens/<int:pk>/revoke", views.revoke_api_token, name="api-token-revoke"),
]
