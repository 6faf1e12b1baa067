"""app layer"""
