"""The operators' web console: guided calls, the risk queue, takeovers, audit."""
