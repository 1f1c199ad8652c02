"""The task profile (W2): pose and hands → a trained task model → task segments and messages."""
