"""Medians, spreads and ratios over rounds."""
import statistics


def summarize(values):
    """{median, min, max, n} of a list of numbers; None when the list is empty."""
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def ratio(numerator, denominator):
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator
