"""The Keras example of the seed documents, run on Fluxion, then trained.

    python examples/seed_keras.py

The model definition and ``compile`` call are the seed's, with the imports pointed at
``fluxion.keras``; ``fit`` then trains it on random data of the right shapes (100
features, 10 one-hot classes), as the seed leaves the data to the reader.
"""

import numpy as np

from fluxion.keras.layers import Dense
from fluxion.keras.models import Sequential
from fluxion.keras.utils import to_categorical

model = Sequential()
model.add(Dense(units=64, activation='relu', input_dim=100))
model.add(Dense(units=10, activation='softmax'))

model.compile(loss='categorical_crossentropy',
              optimizer='sgd',
              metrics=['accuracy'])

rng = np.random.default_rng(0)
x_train = rng.random((1000, 100)).astype("float32")
y_train = to_categorical(rng.integers(10, size=1000), num_classes=10)
history = model.fit(x_train, y_train, epochs=5, batch_size=32, verbose=2)
print("final loss:", round(history.history["loss"][-1], 4))
