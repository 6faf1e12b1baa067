"""planning layer"""
