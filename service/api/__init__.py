"""The HTTP face of the numeric core: schemas, dependencies and one router per resource."""
