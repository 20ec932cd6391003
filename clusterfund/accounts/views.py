from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clusterfund.accounts.forms import SignInForm
from clusterfund.accounts.selectors import roles_of
from clusterfund.core.access import public, signed_in


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
        request, "accounts/account.html", {"page_title": "Your account", "roles": roles_of(request.user)}
    )
