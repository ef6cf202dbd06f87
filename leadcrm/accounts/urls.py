from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from leadcrm.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="accounts-login"),
    path("logout/", auth_views.LogoutView.as_view(), name="accounts-logout"),
    path("welcome/<str:token>/", views.handoff, name="accounts-handoff"),
    path("language/", views.language_set, name="accounts-language"),
    path("profile/", views.profile, name="accounts-profile"),
    path("password-reset/", views.PasswordResetView.as_view(), name="accounts-password-reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="accounts-password-reset-done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="accounts-password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="accounts-password-reset-complete",
    ),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts-profile"),
        ),
        name="accounts-password-change",
    ),
]

settings_urlpatterns = [
    path("users/", views.user_list, name="accounts-user-list"),
    path("users/new/", views.user_create, name="accounts-user-create"),
    path("users/<uuid:uuid>/", views.user_edit, name="accounts-user-edit"),
    path("users/<uuid:uuid>/invite/", views.user_invite_resend, name="accounts-user-invite"),
    path("api-keys/", views.api_key_list, name="accounts-api-keys"),
    path("teams/", views.team_list, name="accounts-team-list"),
    path("teams/new/", views.team_create, name="accounts-team-create"),
    path("teams/<uuid:uuid>/", views.team_edit, name="accounts-team-edit"),
]
