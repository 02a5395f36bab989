# 'model NAME'
model
model 3
model m extra
model m, n
model "m"
