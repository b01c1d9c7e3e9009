"""Customer e-mail: composing tracking messages (pure) and sending them over SMTP."""
