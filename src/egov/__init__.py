"""Nền tảng chính quyền điện tử cấp tỉnh (provincial e-government platform)."""
