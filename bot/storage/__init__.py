"""Where conversations are kept, and how they are erased."""
