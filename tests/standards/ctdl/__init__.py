"""ctdl"""
