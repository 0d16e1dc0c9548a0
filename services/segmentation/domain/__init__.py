"""Pure analytics of segmentation: models and rules over plain data and numpy arrays."""
