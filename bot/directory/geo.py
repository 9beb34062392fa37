"""Distances on the Earth's surface."""

import math
from typing import Tuple

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def distance_km(a: Tuple[float, float], b: Tuple[float, float]) -> float:
    """Great-circle (haversine) distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def distances_km(origin: Tuple[float, float], latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    """Haversine distances from `origin` to many points (arrays in degrees)."""
    lat1, lon1 = np.radians(origin[0]), np.radians(origin[1])
    lat2, lon2 = np.radians(latitudes), np.radians(longitudes)
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))
