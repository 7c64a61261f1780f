"""URL configuration; the web application arrives with the web-application issue."""

urlpatterns: list[object] = []
