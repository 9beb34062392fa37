"""A local web chat page, sized like a phone, for trying the assistant without a phone."""
