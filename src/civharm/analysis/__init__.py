"""Analysis of the register: multiple systems estimates (stored runs), charts, later dashboards."""
