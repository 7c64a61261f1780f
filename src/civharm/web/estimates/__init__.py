"""Pages: documented vs estimated victims, by stratum, with intervals and caveats."""
