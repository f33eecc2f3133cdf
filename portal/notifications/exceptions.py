class TransientDeliveryError(Exception):
    """The provider could not take the message now (throttled, busy, unreachable): retry later."""
