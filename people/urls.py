from django.contrib.auth import views as auth_views
from django.urls import include, path

from people import views
from people.auth_views import (
    LodestarLoginView,
    LodestarPasswordResetConfirmView,
    LodestarPasswordResetView,
)
from people.decorators import public

people_patterns = (
    [
        path("", views.people_list, name="list"),
        path("<int:pk>/", views.person_detail, name="detail"),
        path("<int:pk>/access/", views.person_grant_access, name="grant_access"),
        path("<int:pk>/edit/", views.person_edit, name="edit"),
        path("roles/<int:pk>/revoke/", views.membership_revoke, name="revoke_role"),
        path("teams/", views.TeamListView.as_view(), name="teams"),
        path("teams/<int:pk>/", views.team_edit, name="team_edit"),
        path("imports/", views.RosterImportListView.as_view(), name="imports"),
        path("imports/<int:pk>/", views.roster_import_detail, name="import_detail"),
        path("imports/<int:pk>/commit/", views.roster_import_commit, name="import_commit"),
        path("imports/<int:pk>/discard/", views.roster_import_discard, name="import_discard"),
        path("tokens/", views.api_tokens, name="tokens"),
        path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="token_revoke"),
    ],
    "people",
)

staff_patterns = (
    [
        path(
            "organizations/new/", views.OrganizationCreateView.as_view(), name="organization_create"
        ),
        path("mailbox/", views.dev_mailbox, name="mailbox"),
        path("mailbox/<int:pk>/", views.dev_mailbox_message, name="mailbox_message"),
    ],
    "staff",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("switch-organization/", views.switch_organization, name="switch_organization"),
    # Signing in and recovering a password happen before anyone is known.
    path("login/", public(LodestarLoginView.as_view()), name="login"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("password-reset/", public(LodestarPasswordResetView.as_view()), name="password_reset"),
    path(
        "password-reset/sent/",
        public(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        public(LodestarPasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        public(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("people/", include(people_patterns)),
    path("staff/", include(staff_patterns)),
]
