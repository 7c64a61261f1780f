"""Pages: the linkage review queue, one pair and its verdict, splitting a merged report off."""

from django.urls import path

from civharm.web.linkage import decisions, links, pair, queue

urlpatterns = [
    path("", queue.review_queue, name="linkage_queue"),
    path("persons/", links.linked_persons, name="linkage_persons"),
    path("decisions/", decisions.decision_list, name="linkage_decisions"),
    path("decisions/change/", decisions.change_decision, name="linkage_change"),
    path("<int:pk>/", pair.pair_page, name="linkage_pair"),
    path("<int:pk>/decide/", pair.decide_pair, name="linkage_decide"),
    path("split/<str:kind>/<int:report_id>/", links.split_off_report, name="linkage_split"),
]
