"""aws layer"""
