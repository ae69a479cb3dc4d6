"""中文 (Chinese)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from service.numerics.exceptions import Unmeasurable
from service.numerics.texts.text import Text

__all__ = ["TEXTS", "UNMEASURABLE"]

UNMEASURABLE: Mapping[Unmeasurable, str] = MappingProxyType(
    {
        "axis-wise": (
            "{name} 沿某个轴计算：每个输出都依赖于整个向量，因此它不是标量函数 f(x)，"
            "无法测量它在 x 上的值域、斜率、正态输入下的矩、饱和区或极值。"
            "它成立的性质列在 `declared` 中：每个输出分量的值域、作为向量映射的连续性，以及计算开销。"
        ),
        "random": (
            "在这组参数下，{name} 为每个元素抽取一个随机数，因此它不是关于 x 的单一函数，"
            "无法测量其性质；`declared` 中列出的是它确定性形式的性质。"
        ),
    }
)

TEXTS: Mapping[str, Text] = MappingProxyType(
    {
        "identity": Text(
            description=(
                "恒等函数原样输出输入。它就是不加激活函数的层所计算的东西，也是衡量其他激活函数的"
                "基准：无论叠多少层恒等激活的线性层，整体仍然只是一个线性映射。"
            ),
            pros=(
                "精确且零开销：不做任何计算。",
                "梯度原样传递（处处 f′ = 1）：激活函数本身既不会让梯度消失，也不会让梯度爆炸。",
                "以零为中心：输出保持输入的符号和尺度。",
            ),
            cons=(
                "不引入任何非线性：再深的恒等激活网络也等价于一层线性层，无法学习非线性函数。",
                "无界：没有任何东西限制输出的幅度。",
            ),
            initialisation=(
                "权重方差取 1/fan_in（Xavier 或 LeCun 初始化，增益 1）时，线性网络逐层保持信号的方差。"
            ),
        ),
        "sigmoid": Text(
            description=(
                "逻辑斯蒂 sigmoid 函数 σ(x) = 1/(1 + e^−x) 把任意输入压缩到 (0, 1) 区间，因此天然适合"
                "输出概率，也是 LSTM 和 GRU 单元中的门函数。它曾是早期神经网络隐藏层的标准激活函数。"
            ),
            pros=(
                "处处平滑，导数形式简单：σ(x)(1 − σ(x))。",
                "输出有界，在 (0, 1) 之间：可以当作概率来解读，不会发散。",
                "单调。",
            ),
            cons=(
                "梯度消失：f′ 最大只有 1/4（在 0 处），|x| 大约超过 6 后就不到最大值的 1%，"
                "所以每经过一层梯度至少缩小为四分之一，饱和的神经元几乎学不动。",
                "输出不是以零为中心：输出恒为正（标准正态输入下均值为 1/2），"
                "一个神经元所有输入权重的梯度符号相同，梯度下降因此走“之”字形。",
                "每个元素都要算一次指数，比较耗时。",
            ),
            initialisation=(
                "Xavier（Glorot）初始化，它是针对在 0 附近近似线性的激活函数推导的；"
                "PyTorch 给 sigmoid 的增益是 1。"
            ),
        ),
        "tanh": Text(
            description=(
                "双曲正切是缩放到 (−1, 1) 的 sigmoid：tanh x = 2σ(2x) − 1。在 ReLU 普及之前它是隐藏层"
                "最常用的激活函数，至今仍是循环神经网络单元的输出非线性。"
            ),
            pros=(
                "以零为中心：它是奇函数，标准正态输入下输出均值为 0。",
                "平滑，输出有界，在 (−1, 1) 之间。",
                "在原点附近近似恒等函数（f(0) = 0，f′(0) = 1）。",
            ),
            cons=(
                "仍有梯度消失：|x| 大约超过 3 后 f′ 不到最大值的 1%，神经元在那里停止学习，"
                "深层网络的梯度逐层衰减。",
                "每个元素都要算指数。",
            ),
            initialisation=(
                "Xavier（Glorot）初始化，配合 PyTorch 的增益 5/3，用来抵消 tanh 对单位方差输入的收缩。"
            ),
        ),
        "relu": Text(
            description=(
                "修正线性单元 max(x, 0) 让正的输入原样通过，其余置零。它计算便宜、在正区间不饱和，"
                "让深层网络变得可以训练，是大多数网络结构隐藏层的默认激活函数。"
            ),
            pros=(
                "计算便宜：只需一次比较，没有指数运算。",
                "在 x > 0 时不饱和：那里的梯度恰好为 1，不会随深度消失。",
                "稀疏：输入均值为零时，大约一半的神经元输出恰好为 0。",
            ),
            cons=(
                "输出不是以零为中心：输出从不为负（标准正态输入下均值为 1/√(2π) ≈ 0.40）。",
                "Dead ReLU（神经元死亡）：x ≤ 0 时 f′ = 0，若不好的初始化或过大的学习率让某个神经元"
                "对所有样本的输入都为负，它就再也得不到梯度，永远无法恢复。",
                "上方无界：没有任何东西限制激活值的幅度。",
                "在 0 处不可导；按约定取 f′(0) = 0。",
            ),
            initialisation=(
                "He（Kaiming）初始化，权重方差取 2/fan_in，使信号的二阶矩逐层保持不变；"
                "PyTorch 的增益是 √2。"
            ),
        ),
        "leaky_relu": Text(
            description=(
                "负区间带一个小斜率 a 的 ReLU（PyTorch 中 a = 0.01）：x > 0 时 f(x) = x，否则为 a·x。"
                "这个斜率让梯度继续流过那些在 ReLU 下会死掉的神经元。"
            ),
            pros=(
                "解决了 Dead ReLU 问题：x ≤ 0 时 f′ = a ≠ 0，没有神经元会永久停止学习。",
                "和 ReLU 一样便宜，在 x > 0 时不饱和。",
            ),
            cons=(
                "斜率小时仍远非以零为中心（a = 0.01、标准正态输入下均值约为 0.39）。",
                "两侧都无界。",
                "斜率是又一个超参数，而且各个库的默认值并不一致。",
                "在 0 处不可导；按约定取 f′(0) = a。",
            ),
            initialisation=(
                "He（Kaiming）初始化，配合 PyTorch 的增益 √(2/(1 + a²))，"
                "它考虑了负区间传递下去的方差。"
            ),
        ),
        "elu": Text(
            description=(
                "指数线性单元：x > 0 时为 x，否则为 α(e^x − 1)，在负方向平滑地饱和到 −α。"
                "负的输出把激活值的均值拉向零，原作者发现这能加快学习。"
            ),
            pros=(
                "负的输出让均值比 ReLU 更接近零（α = 1、标准正态输入下均值约为 0.16）。",
                "α > 0 时没有神经元死亡：对任意 x，f′ = αe^x 都为正。",
                "α = 1 时导数连续，并且在原点附近近似恒等函数。",
            ),
            cons=(
                "负的输入需要计算指数。",
                "输入很负时会饱和：α = 1 时，x < −4.6 处 f′ 不到最大值的 1%。",
                "α ≠ 1 时导数在 0 处跳变。",
            ),
            initialisation=(
                "PyTorch 的 calculate_gain 没有 ELU 这一项；通常和 ReLU 一样使用 He 初始化。"
            ),
        ),
        "softplus": Text(
            description=(
                "log(1 + e^x) 是平滑版的 ReLU，它的导数就是 sigmoid。PyTorch 的版本带有锐度参数 β，"
                "并在 βx 超过阈值（20）后直接返回 x。"
            ),
            pros=(
                "作为公式是平滑的，导数为 σ(βx)。",
                "处处 f′ > 0：没有神经元死亡。",
                "β 越大越接近 ReLU。",
            ),
            cons=(
                "输出不是以零为中心：输出恒为正（标准正态输入下均值约为 0.81）。",
                "每个元素要算一次指数和一次对数。",
                "负的输入会饱和，和 sigmoid 一样。",
                "在 βx > threshold 处切换为 x 会留下 log(1 + e^−threshold)/β 的台阶"
                "（默认参数下为 2·10⁻⁹）：严格来说，实际计算的函数在那里既不连续也不单调。"
                "把阈值设得很大就得到精确的 softplus。",
            ),
            initialisation=(
                "PyTorch 的 calculate_gain 没有 softplus 这一项；通常和 ReLU 一样使用 He 初始化。"
            ),
        ),
        "gelu": Text(
            description=(
                "高斯误差线性单元 x·Φ(x) 用标准正态变量小于输入的概率给输入加权。它平滑但不单调，"
                "是 BERT、GPT-2 和大多数 Transformer 模型的激活函数；PyTorch 还提供它的 tanh 近似。"
            ),
            pros=(
                "平滑，梯度不会在整个区间上为零：没有神经元死亡。",
                "|x| 较大时接近 ReLU，同时允许小的负值通过。",
                "Transformer 模型的标准选择。",
            ),
            cons=(
                "每个元素要算一次 erf（近似形式则是 tanh）。",
                "不单调：在 x ≈ −0.75 以下递减，最小值约为 −0.17。",
                "输出不是以零为中心（标准正态输入下均值约为 0.28）。",
                "负的输入会饱和：x 趋于 −∞ 时 f′ 趋于 0。",
            ),
            initialisation=(
                "PyTorch 的 calculate_gain 没有 GELU 这一项。Transformer 通常从 N(0, 0.02²) 中抽取权重"
                "（BERT、GPT-2）；在普通 MLP 中，通常和 ReLU 一样从 He 初始化开始。"
            ),
        ),
    }
)
