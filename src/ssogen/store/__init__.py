"""store layer"""
