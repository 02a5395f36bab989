# a file of comments and blank lines only

   # indented
