"""Sign-in that can tell a switched-off account it is switched off."""

from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Checks the password of switched-off accounts too, so that the sign-in form can say the account is
    switched off rather than that the password is wrong; it still never signs them in or keeps a session."""

    def user_can_authenticate(self, user) -> bool:
        return True

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
