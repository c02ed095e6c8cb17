import asyncio
from pathlib import Path

import pytest

from domain.errors import InvalidImage
from workers import imaging, imaging_pool
from workers.imaging_pool import ImagingPool

PHOTOS = Path(__file__).parent.parent / "data" / "photos"
LARGE_PHOTO = (PHOTOS / "phone_samsung_galaxy_s7edge_12mp_gps.jpg").read_bytes()
SMALL_PHOTO = (PHOTOS / "png16_rgba_basn6a16.png").read_bytes()
MAX_PIXELS = 100_000_000


async def test_pool_makes_derivatives_of_a_real_photo():
    pool = ImagingPool()
    try:
        result = await pool.make_derivatives(
            (PHOTOS / "orient_6_landscape.jpg").read_bytes(), max_pixels=MAX_PIXELS
        )
    finally:
        pool.close()

    assert (result.width, result.height) == (1800, 1200)
    assert result.preview.content_type == "image/jpeg"


async def test_pool_passes_on_the_reason_for_a_refused_photo():
    pool = ImagingPool()
    try:
        with pytest.raises(InvalidImage) as refusal:
            await pool.make_derivatives(b"<!DOCTYPE html>", max_pixels=MAX_PIXELS)
    finally:
        pool.close()

    assert refusal.value.message == imaging.NOT_A_PHOTO


async def test_photo_over_the_memory_bound_is_refused_and_the_pool_recovers():
    # Enough address space to start and handle a tiny photo, not to decode 12 MP.
    pool = ImagingPool(memory_limit_bytes=110_000_000)
    try:
        with pytest.raises(InvalidImage) as refusal:
            await pool.make_derivatives(LARGE_PHOTO, max_pixels=MAX_PIXELS)
        result = await pool.make_derivatives(SMALL_PHOTO, max_pixels=MAX_PIXELS)
    finally:
        pool.close()

    assert refusal.value.message == imaging_pool.OUT_OF_MEMORY
    assert (result.width, result.height) == (32, 32)


async def test_photo_over_the_time_bound_is_refused_and_the_pool_recovers():
    pool = ImagingPool(timeout_s=0.1)
    try:
        with pytest.raises(InvalidImage) as refusal:
            await pool.make_derivatives(LARGE_PHOTO, max_pixels=MAX_PIXELS)
        result = await pool.make_derivatives(SMALL_PHOTO, max_pixels=MAX_PIXELS)
    finally:
        pool.close()

    assert refusal.value.message == imaging_pool.TOO_SLOW
    assert (result.width, result.height) == (32, 32)


async def test_waiting_for_a_busy_child_does_not_count_against_the_time_bound():
    pool = ImagingPool(timeout_s=0.4)
    photo = (PHOTOS / "orient_1_landscape.jpg").read_bytes()
    try:
        results = await asyncio.gather(
            *(pool.make_derivatives(photo, max_pixels=MAX_PIXELS) for _ in range(16))
        )
    finally:
        pool.close()

    assert [(result.width, result.height) for result in results] == [(1800, 1200)] * 16
