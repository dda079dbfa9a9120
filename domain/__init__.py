"""The bottom layer: the domain's vocabulary and the deployment's configuration model.

Every other package may import from here; nothing here imports from the rest of yuqing.
"""
