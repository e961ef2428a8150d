"""Read states (contract section 16): how far each user has read each channel."""
