MARK, END_MARK = "\x02", "\x03"  # where a snippet's matches start and end, before escaping
