"""Process templates: their definition, loading, validation, versions and rendering."""
