"""Pages: the recommendations tracker."""
