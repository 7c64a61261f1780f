"""Pages of the research pillar: interviews (narrative, coding, quotes, consent), stakeholder
consultations, the codebook, inter-coder agreement and the findings."""

from django.urls import path

from civharm.web.research import codebook, coding, consultations, findings, interviews

urlpatterns = [
    path("interviews/", interviews.interview_list, name="interviews"),
    path("interviews/new/", interviews.interview_new, name="interview_new"),
    path("interviews/<int:pk>/", interviews.interview_detail, name="interview"),
    path("interviews/<int:pk>/narrative/", coding.interview_narrative, name="interview_narrative"),
    path("interviews/<int:pk>/code/", coding.interview_code, name="interview_code"),
    path("interviews/<int:pk>/quote/", coding.quote_propose, name="quote_propose"),
    path("interviews/<int:pk>/withdraw/", coding.interview_withdraw, name="interview_withdraw"),
    path("quotes/", coding.quote_list, name="quotes"),
    path("quotes/<int:pk>/decide/", coding.quote_approve, name="quote_approve"),
    path("consultations/", consultations.consultation_list, name="consultations"),
    path("consultations/new/", consultations.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", consultations.consultation_detail, name="consultation"),
    path(
        "consultations/<int:pk>/follow-ups/",
        consultations.follow_up_add,
        name="consultation_followup",
    ),
    path("follow-ups/<int:pk>/done/", consultations.follow_up_done, name="followup_done"),
    path("codebook/", codebook.codebook, name="codebook"),
    path("agreement/", codebook.agreement, name="agreement"),
    path("findings/", findings.findings, name="findings"),
]
