"""The untrusted side and its boundary: a worker process that runs submission code on request."""
