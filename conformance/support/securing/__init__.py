"""securing"""
