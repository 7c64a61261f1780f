"""Pages of the training pillar (mounted at /training/)."""

from django.urls import path

from civharm.web.training import certificate, curriculum, effect, gain, scenarios, sessions

urlpatterns = [
    path("", curriculum.overview, name="training"),
    path("modules/<int:pk>/", curriculum.module_detail, name="training_module"),
    path(
        "modules/<int:pk>/versions/new/",
        curriculum.module_version_new,
        name="training_module_version_new",
    ),
    path("partners/", curriculum.partner_list, name="training_partners"),
    path("sessions/", sessions.session_list, name="training_sessions"),
    path("sessions/new/", sessions.session_new, name="training_session_new"),
    path("sessions/<int:pk>/", sessions.session_detail, name="training_session"),
    path(
        "sessions/<int:pk>/participants/",
        sessions.participant_add,
        name="training_participant_add",
    ),
    path("sessions/<int:pk>/attendance/", sessions.attendance, name="training_attendance"),
    path(
        "sessions/<int:pk>/participants/<int:participant>/reveal/",
        sessions.participant_reveal,
        name="training_participant_reveal",
    ),
    path(
        "sessions/<int:pk>/participants/<int:participant>/<str:kind>/",
        sessions.attempt,
        name="training_attempt",
    ),
    path(
        "sessions/<int:pk>/certificates/<int:participant>.pdf",
        certificate.certificate,
        name="training_certificate",
    ),
    path("gain/", gain.gain_page, name="training_gain"),
    path("scenarios/", scenarios.scenario_list, name="training_scenarios"),
    path("scenarios/new/", scenarios.scenario_new, name="training_scenario_new"),
    path("effect/", effect.effect_page, name="training_effect"),
]
