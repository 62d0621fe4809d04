"""Files in a consultation's chat: presigned uploads and downloads (`attachments`), the S3
adapter (`storage`), and the checks of an upload's bytes: its type (`inspection`), PDFs'
active content (`pdf`), and photos' location data (`images`).
"""
