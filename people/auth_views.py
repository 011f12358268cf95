from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, PasswordResetConfirmView, PasswordResetView
from django.db import transaction
from django.http import HttpResponseRedirect

from people.credentials import password_reset_allowed, reset_link_token_generator


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class LodestarLoginView(LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


class LodestarPasswordResetView(PasswordResetView):
    """Emails a reset link, at most a few times an hour per address and per client.

    A throttled request lands on the same "check your email" page as any other, so the
    page never tells whether an address has an account or has been asked for too often.
    """

    token_generator = reset_link_token_generator

    def form_valid(self, form):
        if not password_reset_allowed(email=form.cleaned_data["email"], request=self.request):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class LodestarPasswordResetConfirmView(PasswordResetConfirmView):
    """Sets the new password from a reset or invitation link.

    Saving the password revokes the login's API tokens (people.signals); doing both in one
    transaction means neither happens without the other.
    """

    token_generator = reset_link_token_generator

    @transaction.atomic
    def form_valid(self, form):
        return super().form_valid(form)
