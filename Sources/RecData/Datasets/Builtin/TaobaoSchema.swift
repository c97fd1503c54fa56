/// The schema of Taobao UserBehavior event logs (`user,item,category,behaviour,time`, no header).
///
/// One sample per (user, item) first viewed (`pv`) at time t; tasks: does the user later cart, fav or buy
/// that item; four behaviour sequences of the user's items strictly before t, sharing the item vocabulary.
/// Samples from 2 Dec 2017 (China time) validate, from 3 Dec test, earlier ones train.
let taobaoSchemaYAML = """
name: taobao
format: {delimiter: ",", header: false}
columns: [user_id, item_id, category_id, behavior_type, timestamp]
eventLog:
  user: user_id
  item: item_id
  behaviour: behavior_type
  timestamp: timestamp
  impression: pv
  validationFrom: 1512144000
  testFrom: 1512230400
features:
  - {name: user_id, kind: categorical}
  - {name: item_id, kind: categorical}
  - {name: category_id, kind: categorical}
  - {name: pv_items, kind: sequence, behaviour: pv, maxLength: 50, vocabulary: item_id}
  - {name: cart_items, kind: sequence, behaviour: cart, maxLength: 20, vocabulary: item_id}
  - {name: fav_items, kind: sequence, behaviour: fav, maxLength: 20, vocabulary: item_id}
  - {name: buy_items, kind: sequence, behaviour: buy, maxLength: 20, vocabulary: item_id}
labels:
  - {name: cart, kind: binary, behaviour: cart}
  - {name: fav, kind: binary, behaviour: fav}
  - {name: buy, kind: binary, behaviour: buy}
groupKey: user_id
"""
