"""The conversation engine: pure, transport-agnostic, flow and text loaded from data."""
