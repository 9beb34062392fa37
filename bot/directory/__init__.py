"""The referral directory: organisations that help, and the places of Mexico to find them by."""
