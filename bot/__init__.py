"""维权助手 weiquan."""
