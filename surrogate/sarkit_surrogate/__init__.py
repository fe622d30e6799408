"""SarKit B1+ -> local SAR surrogate: data loading (numpy), models and training (PyTorch). See docs/surrogate.md."""
