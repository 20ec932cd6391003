from contextlib import suppress

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from clusterfund.accounts import services
from clusterfund.accounts.forms import ApiTokenForm, SignInForm
from clusterfund.accounts.permissions import can_revoke_api_token
from clusterfund.accounts.selectors import api_tokens_of, roles_of
from clusterfund.core.access import allow_or_404, public, signed_in


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


sign_in = public(SignInView.as_view())


@public
@require_http_methods(["GET", "POST"])
def sign_out(request):
    if request.method == "POST":
        logout(request)
        messages.success(request, "You have signed out")
        return redirect("core:home")
    if not request.user.is_authenticated:
        return redirect("core:home")
    return render(request, "accounts/sign_out.html", {"page_title": "Sign out"})


@signed_in("own account")
def account(request):
    return render(
        request,
        "accounts/account.html",
        {
            "page_title": "Your account",
            "roles": roles_of(request.user),
            "api_tokens": list(api_tokens_of(request.user)),
            "token_form": ApiTokenForm(),
        },
    )


@signed_in("own account")
@require_http_methods(["GET", "POST"])
def create_api_token(request):
    """The secret is shown once, in the answer to the POST itself: it is never stored, in the session or
    anywhere else, so it cannot be fetched again."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.create_api_token(
                user=request.user, name=form.cleaned_data["name"], acting_user=request.user
            )
        except services.ApiTokenError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return render(
                request,
                "accounts/api_token_created.html",
                {"page_title": "API token created", "token": token, "secret": secret},
            )
    return render(request, "accounts/api_token_new.html", {"page_title": "Create an API token", "form": form})


@signed_in("can_revoke_api_token")
@require_http_methods(["GET", "POST"])
def revoke_api_token(request, pk):
    token = get_object_or_404(api_tokens_of(request.user).active(), pk=pk)
    allow_or_404(can_revoke_api_token(request.user, token))
    if request.method == "POST":
        # Revoked a moment ago, perhaps in another tab: what was asked for is done either way.
        with suppress(services.ApiTokenError):
            services.revoke_api_token(token=token, acting_user=request.user)
        messages.success(request, f"API token ‘{token.name}’ revoked")
        return redirect("accounts:account")
    return render(
        request,
        "accounts/api_token_revoke.html",
        {"page_title": f"Revoke the API token ‘{token.name}’", "token": token},
    )
