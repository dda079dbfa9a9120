"""A local site that serves boards in the real formats, on 127.0.0.1 only.

Used by the tests and the benchmark, and usable as a replay site: give it posts and it serves
them as a 人民网 API, a 12345 table board, a 问政 list board, a Discuz! forum (X3 or 7.x, UTF-8 or
GBK) and a 贴吧 forum.
"""
