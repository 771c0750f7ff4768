"""The TF 1 graph-mode example of the seed documents, run on Fluxion.

    python examples/seed_tf1.py

TensorFlow 1 code with two changes: ``import fluxion as tf``, and a ``feed_dict`` for
the placeholder ``x`` (the original ``sess.run(y)`` feeds nothing; TensorFlow, and
Fluxion, then stop with an error naming the placeholder).  The first
``tf.placeholder`` call switches to graph mode: ops build a graph, and the session
runs the part of it that ``y`` needs.  It prints ``y`` for a batch of four inputs:
a 4 x 10 matrix of zeros, since W and b start at zero.
"""

import numpy as np

import fluxion as tf

x = tf.placeholder(tf.float32, shape=[None, 784])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
y = tf.matmul(x, W) + b

init = tf.global_variables_initializer()

with tf.Session() as sess:
    sess.run(init)
    print(sess.run(y, feed_dict={x: np.random.rand(4, 784)}))
