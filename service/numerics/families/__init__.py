"""One module per family of activations; each ends with a tuple ENTRIES that the registry reads."""
