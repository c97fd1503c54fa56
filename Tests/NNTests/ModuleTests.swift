import NN
import Tensor
import XCTest
