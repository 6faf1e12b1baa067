"""inifile layer"""
