"""Running the study: profiles, the notebooks with papermill, saved results, the report."""
